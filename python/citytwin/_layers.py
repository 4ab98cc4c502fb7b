"""Layer names: the city file's (buildings, road_links, ...) and the engine state's (building, road_link, ...)."""

# City-file layer -> city-state layer.
FILE_TO_STATE = {
    "buildings": "building",
    "road_links": "road_link",
    "road_nodes": "road_node",
    "sensors": "sensor",
    "grid_substations": "substation",
    "grid_feeders": "feeder",
}


def state_layer(name):
    """The engine's layer name for either spelling ("road_links" or "road_link")."""
    return FILE_TO_STATE.get(name, name)
