from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Network(Base):
    __tablename__ = "network"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))


class Port(Base):
    __tablename__ = "port"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    network_id: Mapped[str] = mapped_column(ForeignKey("network.id"))
    mac_address: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(String(255))
