from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table

metadata = MetaData()

ticket = Table(
    "ticket",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("priority", Integer),
    Column("closed_at", DateTime),
)

tag = Table(
    "tag",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(50), nullable=False),
    Column("color", String(7)),
)
