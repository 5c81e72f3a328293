from sqlalchemy import Boolean, Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Account(Base):
    __tablename__ = "account"

    id = Column(Integer, primary_key=True)
    email = Column(String(255), nullable=False, unique=True)
    # display names got longer and became mandatory; nobody wrote the migration
    name = Column(String(120), nullable=False)
    active = Column(Boolean, nullable=False)
