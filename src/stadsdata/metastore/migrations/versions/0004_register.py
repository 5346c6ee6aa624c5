"""register: the algorithm register's entries, their versions and their links

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "register_entries",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("source_key", sa.String(length=300), nullable=True),
        sa.Column("source_id", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    with op.batch_alter_table("register_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_entries_source_id"), ["source_id"], unique=False)

    op.create_table(
        "register_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.String(length=120), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["register_entries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entry_id", "number", name="uq_register_versions_entry_number"),
    )
    with op.batch_alter_table("register_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_versions_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "register_links",
        sa.Column("entry_id", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["register_entries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("entry_id", "kind", "target"),
    )
    with op.batch_alter_table("register_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_links_target"), ["target"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("register_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_links_target"))
    op.drop_table("register_links")
    with op.batch_alter_table("register_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_versions_entry_id"))
    op.drop_table("register_versions")
    with op.batch_alter_table("register_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_entries_source_id"))
    op.drop_table("register_entries")
