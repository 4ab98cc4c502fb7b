"""citytwin.run(client=...): each branch on a dask.distributed worker process, the same Run as locally."""

import os

import pytest

import citytwin
from conftest import traffic_scenario

distributed = pytest.importorskip("distributed")


def test_two_worker_processes_give_the_local_run(town, tmp_path):
    scenario = traffic_scenario(town, duration="30m")
    scenario.add_variant("closed", [{"kind": "set_attribute", "layer": "road_link", "attribute": "closed",
                                     "value": 1.0, "where": {"bridge": True}}])
    scenario.add_variant("slow", [{"kind": "set_attribute", "layer": "road_link", "attribute": "closed",
                                   "value": 1.0, "all": True, "fraction": 0.05}])
    local = citytwin.run(scenario, out=tmp_path / "local")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  worker_dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = citytwin.run(scenario, client=client, out=tmp_path / "dask")
        workers = client.run(os.getpid)
    assert len(set(workers.values())) == 2 and os.getpid() not in workers.values()
    assert remote.variants == local.variants == ["base", "closed", "slow"]
    assert remote.kpis().equals(local.kpis())
    assert citytwin.Run.open(tmp_path / "dask").kpis().equals(local.kpis())
    assert remote.table("closed", "traffic/trips").equals(local.table("closed", "traffic/trips"))
