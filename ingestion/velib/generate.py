"""Sample Vélib' snapshots, saved as the open-data API's `exports/json` answers, for demos and backfills.

Stations in Paris (codes whose thousands give the arrondissement) and in the suburbs, with the quirks of real
exports: a station with capacity 0, one not installed, one outside Paris with a Paris-like code, a stale
duedate. Bikes follow a random walk from one snapshot to the next, every 15 minutes. Fixed seed.

    python -m ingestion.velib.generate --stations 120 --hours 3 --out .data/samples/velib
    VELIB_REPLAY_DIR=.data/samples/velib dagster asset materialize -m orchestration.definitions --select 'group:velib'
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from pathlib import Path

from faker import Faker

from ingestion import config

PARIS = ("Paris", "75056")
SUBURBS = [("Boulogne-Billancourt", "92012"), ("Montreuil", "93048"), ("Saint-Denis", "93066"), ("Vincennes", "94080")]
PARIS_TZ = dt.timezone(dt.timedelta(hours=1))


def _stations(n: int, rng: random.Random, fake: Faker) -> list[dict]:
    stations = []
    for i in range(n):
        if i % 4 == 3:
            commune, insee = SUBURBS[i % len(SUBURBS)]
            code = str(21000 + 1000 * (i % 9) + i)
        else:
            commune, insee = PARIS
            code = str(1000 * (1 + i % 20) + i)
        capacity = rng.choice([12, 20, 25, 30, 35, 40, 60])
        stations.append(
            {
                "stationcode": code,
                "name": f"{fake.street_name()} - {fake.last_name()}",
                "is_installed": "OUI",
                "capacity": capacity,
                "coordonnees_geo": {
                    "lon": round(rng.uniform(2.25, 2.42), 6),
                    "lat": round(rng.uniform(48.81, 48.9), 6),
                },
                "nom_arrondissement_communes": commune,
                "code_insee_commune": insee,
                "bikes": rng.randint(0, capacity),
            }
        )
    # the quirks of real exports
    stations[1]["capacity"] = 0
    stations[1]["bikes"] = 0
    stations[2]["is_installed"] = "NON"
    stations[3].update(
        stationcode="15001", nom_arrondissement_communes="Issy-les-Moulineaux", code_insee_commune="92040"
    )
    stations[5]["code_insee_commune"] = ""
    return stations


def generate_snapshots(
    out: Path, stations: int = 120, hours: int = 3, end: dt.datetime | None = None, seed: int = 1
) -> list[Path]:
    """Write one exports/json answer per 15 minutes over `hours`, ending at `end` (default: now, floored to 15')."""
    rng = random.Random(seed)
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    end = end or dt.datetime.now(dt.UTC)
    end = end.replace(minute=end.minute - end.minute % 15, second=0, microsecond=0)
    steps = hours * 4
    pool = _stations(stations, rng, fake)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for step in range(steps):
        at = end - dt.timedelta(minutes=15 * (steps - 1 - step))
        records = []
        for index, station in enumerate(pool):
            capacity = station["capacity"]
            if capacity:
                station["bikes"] = min(capacity, max(0, station["bikes"] + rng.randint(-3, 3)))
            bikes = station["bikes"]
            ebikes = rng.randint(0, bikes)
            reported = at - dt.timedelta(seconds=rng.randint(0, 300))
            if index == 7:
                reported = dt.datetime(2023, 5, 2, 9, 0, tzinfo=dt.UTC)  # a stale duedate, as in real exports
            records.append(
                {
                    "stationcode": station["stationcode"],
                    "name": station["name"],
                    "is_installed": station["is_installed"],
                    "capacity": capacity,
                    "numdocksavailable": max(capacity - bikes - rng.randint(0, 1), 0),
                    "numbikesavailable": bikes,
                    "mechanical": bikes - ebikes,
                    "ebike": ebikes,
                    "is_renting": station["is_installed"],
                    "is_returning": station["is_installed"],
                    "duedate": reported.astimezone(PARIS_TZ).isoformat(),
                    "coordonnees_geo": station["coordonnees_geo"],
                    "nom_arrondissement_communes": station["nom_arrondissement_communes"],
                    "code_insee_commune": station["code_insee_commune"],
                }
            )
        path = out / f"velib-{at:%Y%m%dT%H%M}Z.json"
        path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stations", type=int, default=120)
    parser.add_argument("--hours", type=int, default=3, help="hours of snapshots, four an hour (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=config.samples_dir() / "velib")
    args = parser.parse_args(argv)
    paths = generate_snapshots(args.out, args.stations, args.hours, seed=args.seed)
    print(f"wrote {len(paths)} snapshots of {args.stations} stations to {args.out}")


if __name__ == "__main__":
    main()
