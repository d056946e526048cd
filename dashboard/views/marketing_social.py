"""Marketing: social engagement (likes + retweets) of the users and the hashtags, the most engaging first."""

import altair as alt
import streamlit as st

from dashboard import common
from dashboard import format as fmt

ENGAGEMENT = "fct_marketing__social_engagement"
SUMMARY = "fct_marketing__summary"
DIMENSIONS = {"hashtag": "Hashtags", "user": "Users"}
COLUMNS = {
    "engagement_rank": fmt.integer("Rank"),
    "dimension_value": fmt.text("Hashtag or user"),
    "posts": fmt.integer("Posts"),
    "likes": fmt.integer("Likes"),
    "retweets": fmt.integer("Retweets"),
    "engagement": fmt.integer("Engagement (likes + retweets)"),
}


def body() -> None:
    posts, likes, retweets, engagement = common.fetch_row(
        f"select posts, likes, retweets, engagement from {common.rel(SUMMARY)}"
    )
    a, b, c, d = st.columns(4)
    a.metric("Posts", fmt.number(posts))
    b.metric("Likes", fmt.number(likes))
    c.metric("Retweets", fmt.number(retweets))
    d.metric("Engagement", fmt.number(engagement))
    left, right = st.columns(2)
    top = left.number_input("Shown per list, by engagement rank", min_value=1, max_value=500, value=15, key="top")
    search = right.text_input("Hashtag or user contains", key="search").strip().lower()
    for dimension, heading in DIMENSIONS.items():
        st.subheader(heading)
        where = " where dimension = ? and engagement_rank <= ?"
        params: list = [dimension, top]
        if search:
            where += " and lower(dimension_value) like ?"
            params.append(f"%{search}%")
        rows = common.fetch(
            f"select {', '.join(COLUMNS)} from {common.rel(ENGAGEMENT)}{where} order by engagement_rank", params
        )
        if common.empty_note(rows, f"no {dimension} in the selection"):
            continue
        long = rows.melt(["dimension_value", "engagement_rank"], ["likes", "retweets"], var_name="kind", value_name="n")
        st.altair_chart(
            alt.Chart(long)
            .mark_bar()
            .encode(
                x=alt.X("n:Q", title="likes + retweets", stack=True),
                y=alt.Y("dimension_value:N", sort=alt.SortField("engagement_rank"), title=None),
                color=alt.Color("kind:N", title=None),
                tooltip=[
                    alt.Tooltip("dimension_value:N", title=dimension),
                    alt.Tooltip("kind:N", title="what"),
                    alt.Tooltip("n:Q", title="count", format=","),
                ],
            )
            .properties(height=max(160, 22 * len(rows))),
            key=f"{dimension}_chart",
        )
        fmt.table(rows, COLUMNS, key=f"{dimension}_table")


MARTS = (ENGAGEMENT, SUMMARY)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Marketing: social engagement",
        domain="marketing",
        marts=MARTS,
        body=body,
        intro="Likes and retweets of the social posts by hashtag and by user (fct_marketing__social_engagement).",
    )
