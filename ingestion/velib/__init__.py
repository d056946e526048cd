"""Vélib' domain: station availability snapshots from the Paris open-data API and the GBFS feeds."""

SOURCE = "velib"
OPENDATA_TABLE = "station_status"
GBFS_TABLE = "gbfs_station_status"
DEFAULT_API_URL = "https://opendata.paris.fr/api/explore/v2.1/catalog/datasets/velib-disponibilite-en-temps-reel"
