"""Customer analytics domain (RFM, CLV, retention): the original team's clients/achats CSVs and the UCI
Online Retail transaction format."""

SOURCE = "shop"
CLIENTS_TABLE = "clients"
ORDERS_TABLE = "orders"
ONLINE_RETAIL_TABLE = "online_retail"

CLIENTS_COLUMNS = ("id_client", "nom", "email", "date_inscription", "pays")
ORDERS_COLUMNS = ("id_achat", "id_client", "date_achat", "montant", "produit")
ONLINE_RETAIL_COLUMNS = (
    "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country",
)  # fmt: skip
