#!/usr/bin/env python3
"""`citytwin export cityjson` against the CityJSON 2.0 JSON Schemas of ../shared/data/city/cityjson/schemas.

The sample town (with --terrain) and, when the reference data hold it, Monaco are exported, validated with
python3-jsonschema and imported again with `citytwin city import --cityjson`, which must give back every
building. The validator itself is checked first: Delft's file (a CityJSON 2.0 file from the CityJSON
authors) must pass and a broken copy of an export must fail. Exit 77 (skipped) names what is missing.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile

SKIP = 77


def skip(reason):
    print(f"SKIPPED: {reason}")
    sys.exit(SKIP)


def shared_data_root():
    if os.environ.get("CITYTWIN_SHARED_DATA"):
        return pathlib.Path(os.environ["CITYTWIN_SHARED_DATA"])
    return pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path("../shared/data")


def make_validator(schemas):
    """Validates a document as cityjson.schema.json does, but each city object against the schema of its own
    type: the main schema's oneOf over all 34 types costs minutes in pure Python for a town, and every branch
    but the one of the object's type fails on its "type" constant anyway."""
    import jsonschema

    documents = {}
    for path in schemas.glob("*.schema.json"):
        document = json.loads(path.read_text())
        documents[document["$id"]] = document
    main = json.loads((schemas / "cityjson.schema.json").read_text())
    base = main["$id"].rsplit("/", 1)[0]
    try:  # jsonschema >= 4.18 resolves references through the referencing library
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7

        registry = Registry().with_resources(
            [(uri, Resource.from_contents(doc, default_specification=DRAFT7)) for uri, doc in documents.items()])

        def validator_for(schema):
            return jsonschema.Draft7Validator(schema, registry=registry)
    except ImportError:  # Debian 12's jsonschema 4.10
        def validator_for(schema):
            resolver = jsonschema.RefResolver(base_uri=main["$id"], referrer=main, store=documents)
            return jsonschema.Draft7Validator(schema, resolver=resolver)

    whole = validator_for(main)
    by_type = {}

    def errors_of(document):
        shell = dict(document)
        objects = document.get("CityObjects", {})
        shell["CityObjects"] = {}
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in whole.iter_errors(shell)]
        if not isinstance(objects, dict):
            return errors + ["CityObjects: not an object"]
        for key, city_object in objects.items():
            kind = city_object.get("type") if isinstance(city_object, dict) else None
            if kind not in by_type:
                by_type[kind] = validator_for({"$ref": f"{base}/cityobjects.schema.json#/{kind}"}) \
                    if isinstance(kind, str) and kind.isalnum() else None
            if by_type[kind] is None:
                errors.append(f"CityObjects/{key}: unknown type {kind!r}")
                continue
            errors += [f"CityObjects/{key}/{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
                       for e in by_type[kind].iter_errors(city_object)]
        return errors

    return errors_of


def errors_of(validator, document):
    return validator(document)


def run(*arguments):
    result = subprocess.run(arguments, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        print(f"FAILED: {' '.join(arguments)}\n{result.stdout}\n{result.stderr}")
        sys.exit(1)
    return json.loads(result.stdout)


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)
    print(f"ok: {message}")


def export_validate_import(citytwin, validator, city, folder, name, terrain):
    info = run(citytwin, "city", "info", str(city), "--json")
    out = folder / f"{name}.city.json"
    arguments = [citytwin, "export", "cityjson", str(city), "--out", str(out), "--json"]
    if terrain:
        # A coarse TIN keeps the pure-Python validation short; the terrain's shape is the same at any size.
        arguments += ["--terrain", "--terrain-max-side", "16"]
    exported = run(*arguments)
    print(f"{name}: exported {exported['buildings']} buildings, {exported['roads']} roads, "
          f"{exported['terrain_triangles']} terrain triangles, {exported['bytes'] / 1e6:.2f} MB "
          f"in {exported['seconds']:.2f} s")
    document = json.loads(out.read_text())
    errors = errors_of(validator, document)
    check(not errors, f"{name}: the export validates against the CityJSON 2.0 schemas "
                      f"({len(errors)} errors{': ' + errors[0] if errors else ''})")
    check(all(isinstance(c, int) for v in document["vertices"] for c in v), f"{name}: every vertex is integer")
    epsg = info["crs"].split(":")[1]
    check(document["metadata"]["referenceSystem"] == f"https://www.opengis.net/def/crs/EPSG/0/{epsg}",
          f"{name}: referenceSystem names the city's {info['crs']}")
    buildings = [o for o in document["CityObjects"].values() if o["type"] == "Building"]
    check(len(buildings) == info["buildings"], f"{name}: {len(buildings)} Building objects = the city's buildings")
    if terrain:
        check(any(o["type"] == "TINRelief" for o in document["CityObjects"].values()),
              f"{name}: the terrain is a TINRelief")
    back = run(citytwin, "city", "import", "--cityjson", str(out), "--crs", info["crs"], "--out",
               str(folder / f"{name}-back.gpkg"), "--json")
    check(back["buildings"] == info["buildings"],
          f"{name}: import --cityjson gives back {back['buildings']} of {info['buildings']} buildings")
    return document


def main():
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        skip("python3-jsonschema is not installed (tools/setup.sh installs it)")
    citytwin = os.environ.get("CITYTWIN_BINARY")
    if not citytwin:
        print("FAILED: CITYTWIN_BINARY names the citytwin executable")
        return 1
    data = shared_data_root()
    schemas = data / "city/cityjson/schemas"
    if not (schemas / "cityjson.schema.json").exists():
        skip(f"{schemas} is missing (the CityJSON 2.0 schemas of the reference data)")
    validator = make_validator(schemas)
    delft = json.loads((data / "city/cityjson/delft.city.json").read_text())
    check(not errors_of(validator, delft), "the validator accepts Delft's CityJSON 2.0 file")

    with tempfile.TemporaryDirectory(prefix="citytwin-cityjson-") as scratch:
        folder = pathlib.Path(scratch)
        sample = folder / "sample.gpkg"
        run(citytwin, "city", "generate", "--out", str(sample), "--size-km", "0.5", "--seed", "1", "--json")
        document = export_validate_import(citytwin, validator, sample, folder, "sample", terrain=True)
        broken = json.loads(json.dumps(document))
        next(o for o in broken["CityObjects"].values() if o["type"] == "Building")["geometry"][0]["lod"] = 1
        check(errors_of(validator, broken), "the validator refuses a Building whose lod is not a string")

        monaco = data / "city/monaco"
        if (monaco / "monaco-latest.osm.pbf").exists():
            city = folder / "monaco.gpkg"
            run(citytwin, "city", "import", "--osm", str(monaco / "monaco-latest.osm.pbf"), "--dem",
                str(monaco / "monaco_dem_srtm3_wgs84.tif"), "--aoi", str(monaco / "monaco_aoi.geojson"), "--no-grid",
                "--out", str(city), "--json")
            export_validate_import(citytwin, validator, city, folder, "monaco", terrain=False)
        else:
            print(f"note: {monaco} is missing; Monaco not exported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
