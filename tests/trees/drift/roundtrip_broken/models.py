from sqlalchemy import Column, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Note(Base):
    __tablename__ = "note"

    id = Column(Integer, primary_key=True)
    body = Column(Text, nullable=False)
    title = Column(String(200))
