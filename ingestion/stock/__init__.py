"""Stock-out risk domain: Superstore order-line exports and a stream of sales events."""

SOURCE = "stock"
SALES_TABLE = "sales"
EVENTS_TABLE = "sales_events"
INVENTORY_TABLE = "inventory_snapshots"
EVENTS_PARTITION_KEY = "Order_ID"  # the entity of a sales event: its Kinesis partition key

SUPERSTORE_COLUMNS = (
    "Row ID", "Order ID", "Order Date", "Ship Date", "Ship Mode", "Customer ID", "Customer Name", "Segment",
    "Country", "City", "State", "Postal Code", "Region", "Product ID", "Category", "Sub-Category",
    "Product Name", "Sales", "Quantity", "Discount", "Profit",
)  # fmt: skip
INVENTORY_COLUMNS = ("product_id", "region", "on_hand", "as_of")
