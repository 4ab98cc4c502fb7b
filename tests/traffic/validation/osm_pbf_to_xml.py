#!/usr/bin/env python3
"""Writes an OSM PBF extract as OSM XML (nodes, ways, relations with their tags), for netconvert, which
reads OSM XML only. Standard library only: the PBF blocks are zlib-compressed protocol buffers
(https://wiki.openstreetmap.org/wiki/PBF_Format); metadata (versions, users) is not copied.

usage: osm_pbf_to_xml.py INPUT.osm.pbf OUTPUT.osm [--drivable-only]

--drivable-only keeps, of the ways, those citytwin imports as roads (the highway classes of
engine/city/src/road_network.cpp): netconvert cuts a way into edges wherever another loaded way shares a
node, so footways crossing a street would otherwise cut it where citytwin's import does not.
"""
import struct
import sys
import zlib
from xml.sax.saxutils import quoteattr


def varint(buf, pos):
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def zigzag(value):
    return (value >> 1) ^ -(value & 1)


def fields(buf):
    """(field number, wire type, value) of a message; value is an int or a bytes slice."""
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 2:
            length, pos = varint(buf, pos)
            value = buf[pos:pos + length]
            pos += length
        elif wire == 1:
            value = buf[pos:pos + 8]
            pos += 8
        elif wire == 5:
            value = buf[pos:pos + 4]
            pos += 4
        else:
            raise ValueError("unsupported protocol buffer wire type %d" % wire)
        yield number, wire, value


def packed(buf, signed=False):
    values, pos = [], 0
    while pos < len(buf):
        value, pos = varint(buf, pos)
        values.append(zigzag(value) if signed else value)
    return values


def deltas(values):
    total, out = 0, []
    for value in values:
        total += value
        out.append(total)
    return out


def blocks(path):
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    while pos < len(data):
        (size,) = struct.unpack(">I", data[pos:pos + 4])
        pos += 4
        header = dict((n, v) for n, _, v in fields(data[pos:pos + size]))
        pos += size
        blob_size = header[3]
        blob = dict((n, v) for n, _, v in fields(data[pos:pos + blob_size]))
        pos += blob_size
        if 1 in blob:
            payload = bytes(blob[1])
        elif 3 in blob:
            payload = zlib.decompress(blob[3])
        else:
            raise ValueError("%s: unsupported blob compression (zlib or raw expected)" % path)
        yield bytes(header[1]).decode(), payload


def tags_xml(strings, keys, values):
    return "".join('\n    <tag k=%s v=%s/>' % (quoteattr(strings[k]), quoteattr(strings[v]))
                   for k, v in zip(keys, values))


DRIVABLE = {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
            "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential", "living_street",
            "service", "road", "busway"}


def convert(source, target, drivable_only=False):
    nodes, ways, relations = [], [], []
    for kind, payload in blocks(source):
        if kind != "OSMData":
            continue
        strings, groups = [], []
        granularity, lat_offset, lon_offset = 100, 0, 0
        for number, _, value in fields(payload):
            if number == 1:
                strings = [bytes(s).decode("utf-8") for n, _, s in fields(value) if n == 1]
            elif number == 2:
                groups.append(value)
            elif number == 17:
                granularity = value
            elif number == 19:
                lat_offset = value
            elif number == 20:
                lon_offset = value

        def degrees(raw, offset):
            return "%.7f" % ((offset + granularity * raw) * 1e-9)

        for group in groups:
            for number, _, value in fields(group):
                if number == 2:  # dense nodes
                    parts = {n: v for n, _, v in fields(value)}
                    ids = deltas(packed(parts.get(1, b""), True))
                    lats = deltas(packed(parts.get(8, b""), True))
                    lons = deltas(packed(parts.get(9, b""), True))
                    keys_vals = packed(parts.get(10, b""))
                    k = 0
                    for i, node_id in enumerate(ids):
                        tags = []
                        while k < len(keys_vals) and keys_vals[k] != 0:
                            tags.append((keys_vals[k], keys_vals[k + 1]))
                            k += 2
                        k += 1
                        nodes.append((node_id, degrees(lats[i], lat_offset), degrees(lons[i], lon_offset),
                                      tags_xml(strings, [a for a, _ in tags], [b for _, b in tags])))
                elif number == 1:  # plain node
                    parts = {}
                    for n, _, v in fields(value):
                        parts[n] = v
                    nodes.append((zigzag(parts[1]), degrees(zigzag(parts[8]), lat_offset),
                                  degrees(zigzag(parts[9]), lon_offset),
                                  tags_xml(strings, packed(parts.get(2, b"")), packed(parts.get(3, b"")))))
                elif number == 3:  # way
                    parts = {n: v for n, _, v in fields(value)}
                    refs = deltas(packed(parts.get(8, b""), True))
                    keys, values = packed(parts.get(2, b"")), packed(parts.get(3, b""))
                    highway = dict((strings[k], strings[v]) for k, v in zip(keys, values)).get("highway")
                    if drivable_only and highway not in DRIVABLE:
                        continue
                    ways.append((parts[1], refs,
                                 tags_xml(strings, packed(parts.get(2, b"")), packed(parts.get(3, b"")))))
                elif number == 4:  # relation
                    parts = {n: v for n, _, v in fields(value)}
                    roles = packed(parts.get(8, b""))
                    members = deltas(packed(parts.get(9, b""), True))
                    types = packed(parts.get(10, b""))
                    relations.append((parts[1], [(("node", "way", "relation")[t], m, strings[r])
                                                 for t, m, r in zip(types, members, roles)],
                                      tags_xml(strings, packed(parts.get(2, b"")), packed(parts.get(3, b"")))))
    with open(target, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="osm_pbf_to_xml.py">\n')
        for node_id, lat, lon, tags in nodes:
            if tags:
                out.write('  <node id="%d" lat="%s" lon="%s">%s\n  </node>\n' % (node_id, lat, lon, tags))
            else:
                out.write('  <node id="%d" lat="%s" lon="%s"/>\n' % (node_id, lat, lon))
        for way_id, refs, tags in ways:
            out.write('  <way id="%d">' % way_id)
            out.write("".join('\n    <nd ref="%d"/>' % r for r in refs))
            out.write('%s\n  </way>\n' % tags)
        for relation_id, members, tags in relations:
            out.write('  <relation id="%d">' % relation_id)
            out.write("".join('\n    <member type="%s" ref="%d" role=%s/>' % (t, m, quoteattr(r))
                              for t, m, r in members))
            out.write('%s\n  </relation>\n' % tags)
        out.write("</osm>\n")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    drivable = "--drivable-only" in arguments
    arguments = [a for a in arguments if a != "--drivable-only"]
    if len(arguments) != 2:
        sys.exit("usage: osm_pbf_to_xml.py INPUT.osm.pbf OUTPUT.osm [--drivable-only]")
    try:
        convert(arguments[0], arguments[1], drivable)
    except (OSError, ValueError, KeyError, IndexError, zlib.error, struct.error) as error:
        sys.exit("osm_pbf_to_xml.py: %s: %s" % (arguments[0], error))
