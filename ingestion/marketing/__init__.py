"""Marketing domain: sales transactions, web server logs, social posts, ad campaigns, and a stream of click events.

The four batch sources are files (CSV, Apache Common Log Format lines or CSV, JSON); click events stream as JSON-lines
micro-batches through the one stream mechanism of the project (ingestion/stream.py).
"""

SOURCE = "marketing"
TRANSACTIONS_TABLE = "transactions"
WEB_LOGS_TABLE = "web_logs"  # Apache Common (or Combined) Log Format lines
WEB_LOGS_CSV_TABLE = "web_logs_csv"  # the original team's CSV shape of the same logs
SOCIAL_POSTS_TABLE = "social_posts"
CAMPAIGNS_TABLE = "campaigns"
CLICK_EVENTS_TABLE = "click_events"
CLICK_EVENTS_PARTITION_KEY = "user_id"  # the entity of a click event: its Kinesis partition key

TRANSACTION_COLUMNS = ("ClientID", "ClientName", "TransactionDate", "Product", "Amount", "PaymentMethod")
WEB_LOG_CSV_COLUMNS = ("IP_Address", "URL", "Status_Code", "Timestamp")
CLICK_EVENT_FIELDS = ("event_id", "event_type", "user_id", "product", "country", "event_time")
EVENT_TYPES = ("click", "add_to_cart", "purchase", "cart_abandoned")
PAYMENT_METHODS = ("Credit Card", "Debit Card", "PayPal", "Bank Transfer", "Cash")
