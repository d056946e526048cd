"""Wine premium domain (the BottleNeck shop): ERP, WooCommerce web export and the liaison table between them."""

SOURCE = "wine"
ERP_TABLE = "erp"
WEB_TABLE = "web"
LIAISON_TABLE = "liaison"

ERP_COLUMNS = ("product_id", "onsale_web", "price", "stock_quantity", "stock_status")
WEB_COLUMNS = (
    "sku", "virtual", "downloadable", "rating_count", "average_rating", "total_sales", "tax_status", "tax_class",
    "post_author", "post_date", "post_date_gmt", "post_content", "post_title", "post_excerpt", "post_status",
    "comment_status", "ping_status", "post_password", "post_name", "post_modified", "post_modified_gmt",
    "post_content_filtered", "post_parent", "guid", "menu_order", "post_type", "post_mime_type", "comment_count",
)  # fmt: skip
LIAISON_COLUMNS = ("product_id", "id_web")
