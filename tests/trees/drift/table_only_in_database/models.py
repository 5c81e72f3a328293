from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "user"

    id = Column(Integer, primary_key=True)
    username = Column(String(50), nullable=False)
    email = Column(String(255))


# The LegacyAudit model was deleted when auditing moved to the log pipeline;
# the table it mapped is still created by the migrations and was never dropped.
