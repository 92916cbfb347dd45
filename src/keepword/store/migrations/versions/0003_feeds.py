"""feeds: sequencer state, webhook endpoints, deliveries, pull cursors, acknowledgements

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 12:17:07.835425

The outbox itself is in 0001; this adds what the sequencer, the relay and the acknowledgements keep.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import keepword.store.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feed_sequence',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_position', sa.BigInteger(), nullable=False),
    sa.Column('sequenced_at', keepword.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('purged_through', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_sequence'))
    )
    op.create_table('feed_acks',
    sa.Column('partner_id', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=60), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('acked_at', keepword.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_feed_acks_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('partner_id', 'event_id', name=op.f('pk_feed_acks'))
    )
    op.create_table('feed_endpoints',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('partner_id', sa.String(length=32), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('disabled_at', keepword.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disabled_reason', sa.Text(), nullable=True),
    sa.Column('cursor', sa.BigInteger(), nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('paused_until', keepword.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', keepword.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_feed_endpoints_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_endpoints'))
    )
    with op.batch_alter_table('feed_endpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_endpoints_partner_id'), ['partner_id'], unique=False)

    op.create_table('feed_pull_cursors',
    sa.Column('partner_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('pulled_at', keepword.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_feed_pull_cursors_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('partner_id', name=op.f('pk_feed_pull_cursors'))
    )
    op.create_table('feed_deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('endpoint_id', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('ordering_key', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('first_attempt_at', keepword.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', keepword.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_owner', sa.String(length=40), nullable=True),
    sa.Column('lease_until', keepword.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('delivered_at', keepword.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['feed_endpoints.id'], name=op.f('fk_feed_deliveries_endpoint_id_feed_endpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_deliveries')),
    sa.UniqueConstraint('endpoint_id', 'position', name=op.f('uq_feed_deliveries_endpoint_id_position'))
    )
    with op.batch_alter_table('feed_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_feed_deliveries_delivered_at', ['delivered_at'], unique=False)
        batch_op.create_index('ix_feed_deliveries_pending', ['endpoint_id', 'position'], unique=False, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.create_index('ix_feed_deliveries_pending_order', ['endpoint_id', 'ordering_key', 'position'], unique=False, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))

    # The sequencer continues after any position already handed out.
    op.execute("INSERT INTO feed_sequence (id, last_position, purged_through) "
               "SELECT 1, COALESCE(MAX(position), 0), 0 FROM outbox")
    if op.get_bind().dialect.name == "postgresql":
        # Wake the relay (LISTEN keepword_outbox) when a writer commits events; NOTIFY is delivered at
        # commit and folded into one per transaction, so writers pay almost nothing.
        op.execute("""
            CREATE FUNCTION keepword_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('keepword_outbox', '');
                RETURN NULL;
            END $$""")
        op.execute("CREATE TRIGGER outbox_notify AFTER INSERT ON outbox "
                   "FOR EACH STATEMENT EXECUTE FUNCTION keepword_outbox_notify()")



def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
        op.execute("DROP FUNCTION IF EXISTS keepword_outbox_notify()")
    with op.batch_alter_table('feed_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_feed_deliveries_pending_order', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.drop_index('ix_feed_deliveries_delivered_at')
        batch_op.drop_index('ix_feed_deliveries_pending', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))

    op.drop_table('feed_deliveries')
    op.drop_table('feed_pull_cursors')
    with op.batch_alter_table('feed_endpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_endpoints_partner_id'))

    op.drop_table('feed_endpoints')
    op.drop_table('feed_acks')
    op.drop_table('feed_sequence')
