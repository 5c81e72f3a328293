from sqlalchemy import Column, Integer, MetaData, String, Table

metadata = MetaData()

event = Table(
    "event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20)),
)
