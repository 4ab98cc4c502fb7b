// Shows a `citytwin export 3dtiles` folder on a plain globe with CesiumJS, buildings coloured by one of their
// attributes. URL parameters (all optional):
//   tiles=tiles/          folder of the export (tileset.json, terrain/tileset.json)
//   color=height_m        the attribute to colour by (tileset.json lists them under extras.citytwin.properties)
//   pick=first            after loading, pick the building nearest the centre of the view (used by the tests)
//   sse=16                the tileset's maximum screen-space error (larger: coarser, faster)
// The page reports its state in #status (data-state: loading, loaded, failed) and in document.title, so
// headless browsers can wait for it.
'use strict';

const parameters = new URLSearchParams(window.location.search);
const folder = (parameters.get('tiles') || 'tiles/').replace(/\/?$/, '/');
const status = document.getElementById('status');

function report(state, text) {
  status.dataset.state = state;
  status.textContent = text;
  document.title = `citytwin 3D Tiles: ${state}`;
}

// Six steps from dark blue to dark red; the first colour is for the lowest values.
const RAMP = ['#313695', '#4575b4', '#abd9e9', '#fee090', '#f46d43', '#a50026'];
const MISSING = '#9e9e9e';

// The class breaks of an attribute: the tileset's sextiles (extras.citytwin.properties.<name>.breaks), else
// six equal steps between its smallest and largest value.
function classBreaks(range) {
  if (Array.isArray(range.breaks) && range.breaks.length === RAMP.length - 1) return range.breaks;
  const high = range.max > range.min ? range.max : range.min + 1;
  return RAMP.slice(1).map((_, step) => range.min + ((high - range.min) * (step + 1)) / RAMP.length);
}

function rampStyle(attribute, breaks) {
  const conditions = [[`\${${attribute}} === undefined`, `color('${MISSING}')`]];
  for (let step = RAMP.length - 1; step > 0; --step) {
    conditions.push([`\${${attribute}} > ${breaks[step - 1]}`, `color('${RAMP[step]}')`]);
  }
  conditions.push(['true', `color('${RAMP[0]}')`]);
  return new Cesium.Cesium3DTileStyle({ color: { conditions } });
}

function showLegend(attribute, meaning, range, breaks) {
  const legend = document.getElementById('legend');
  legend.replaceChildren();
  const title = document.createElement('div');
  title.textContent = `${attribute}: ${meaning || ''}`;
  legend.appendChild(title);
  const bounds = [range.min, ...breaks, range.max];
  RAMP.forEach((colour, step) => {
    const row = document.createElement('div');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = colour;
    row.appendChild(swatch);
    const text = `${Number(bounds[step].toPrecision(3))} – ${Number(bounds[step + 1].toPrecision(3))}`;
    row.appendChild(document.createTextNode(text));
    legend.appendChild(row);
  });
  const missing = document.createElement('div');
  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  swatch.style.background = MISSING;
  missing.appendChild(swatch);
  missing.appendChild(document.createTextNode('no value'));
  legend.appendChild(missing);
}

function showFeature(feature) {
  const table = document.getElementById('picked');
  table.replaceChildren();
  if (!(feature instanceof Cesium.Cesium3DTileFeature)) return false;
  for (const name of feature.getPropertyIds()) {
    const row = table.insertRow();
    row.insertCell().textContent = name;
    const value = feature.getProperty(name);
    row.insertCell().textContent = typeof value === 'number' ? String(Number(value.toPrecision(6))) : String(value);
  }
  table.dataset.buildingId = String(feature.getProperty('id'));
  return true;
}

// Picks on a widening square spiral around the centre of the view until it finds a building.
function pickNearestCentre(viewer) {
  const canvas = viewer.scene.canvas;
  const step = 20;
  for (let ring = 0; ring < 8; ++ring) {
    for (let dx = -ring; dx <= ring; ++dx) {
      for (let dy = -ring; dy <= ring; ++dy) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring) continue;
        const position = new Cesium.Cartesian2(canvas.clientWidth / 2 + dx * step, canvas.clientHeight / 2 + dy * step);
        if (showFeature(viewer.scene.pick(position))) return;
      }
    }
  }
}

async function main() {
  const viewer = new Cesium.Viewer('globe', {
    baseLayer: false,                                  // no imagery from the internet
    terrainProvider: new Cesium.EllipsoidTerrainProvider(),
    baseLayerPicker: false, geocoder: false, homeButton: false, sceneModePicker: false,
    navigationHelpButton: false, animation: false, timeline: false, fullscreenButton: false,
    infoBox: false, selectionIndicator: false, skyBox: false,
    contextOptions: { webgl: { preserveDrawingBuffer: true } },
  });
  viewer.scene.globe.baseColor = Cesium.Color.fromCssColorString('#20303a');
  viewer.scene.skyAtmosphere.show = false;
  // A light from the camera: the colours read the same whatever the hour of the clock at the city.
  viewer.scene.light = new Cesium.DirectionalLight({ direction: Cesium.Cartesian3.clone(viewer.scene.camera.directionWC) });
  viewer.scene.preRender.addEventListener((scene) => {
    scene.light.direction = Cesium.Cartesian3.clone(scene.camera.directionWC, scene.light.direction);
  });

  const buildings = await Cesium.Cesium3DTileset.fromUrl(`${folder}tileset.json`);
  const sse = Number(parameters.get('sse'));
  if (sse > 0) buildings.maximumScreenSpaceError = sse;
  viewer.scene.primitives.add(buildings);
  let terrain = null;
  try {
    terrain = await Cesium.Cesium3DTileset.fromUrl(`${folder}terrain/tileset.json`);
    if (sse > 0) terrain.maximumScreenSpaceError = sse;
    viewer.scene.primitives.add(terrain);
  } catch (error) {
    console.warn(`no terrain tiles: ${error}`);  // an export of a city without a DEM has none
  }

  const properties = buildings.extras?.citytwin?.properties || {};
  let attribute = parameters.get('color') || 'height_m';
  let warning = '';
  if (!properties[attribute] || properties[attribute].min === undefined) {
    // Said on the page, not only in the console: a map coloured by something else must not pass unnoticed.
    const known = Object.keys(properties).filter((name) => properties[name].min !== undefined);
    warning = `color=${attribute}: not in this tileset (it has ${known.join(', ')}); coloured by height_m`;
    attribute = 'height_m';
  }
  const breaks = classBreaks(properties[attribute]);
  buildings.style = rampStyle(attribute, breaks);
  showLegend(attribute, properties[attribute].meaning, properties[attribute], breaks);
  if (warning) {
    const note = document.createElement('div');
    note.className = 'warning';
    note.textContent = warning;
    document.getElementById('legend').prepend(note);
  }

  let failures = 0;
  buildings.tileFailed.addEventListener((error) => {
    failures += 1;
    report('failed', `tile failed: ${error.url}: ${error.message}`);
  });

  const sphere = buildings.boundingSphere;
  await viewer.zoomTo(buildings, new Cesium.HeadingPitchRange(0.0, -0.75, sphere.radius * 2.0));

  // Loaded once frames have been drawn showing buildings with every tile the view needs (both tilesets) in
  // place: `tilesLoaded` alone is also true before the first tile has been asked for.
  let shownTiles = 0;
  let settledFrames = 0;
  buildings.tileVisible.addEventListener(() => { shownTiles += 1; });
  viewer.scene.postRender.addEventListener(function whenLoaded() {
    const settled = shownTiles > 0 && buildings.tilesLoaded && (!terrain || terrain.tilesLoaded);
    shownTiles = 0;
    settledFrames = settled ? settledFrames + 1 : 0;
    if (failures > 0 || settledFrames < 3) return;
    viewer.scene.postRender.removeEventListener(whenLoaded);
    if (parameters.get('pick') === 'first') pickNearestCentre(viewer);
    report('loaded', `${buildings.extras?.citytwin?.buildings ?? '?'} buildings, coloured by ${attribute}, ` +
                     `in ${(performance.now() / 1000).toFixed(1)} s`);
  });

  const handler = new Cesium.ScreenSpaceEventHandler(viewer.scene.canvas);
  handler.setInputAction((click) => showFeature(viewer.scene.pick(click.position)),
                         Cesium.ScreenSpaceEventType.LEFT_CLICK);
}

main().catch((error) => report('failed', String(error)));
