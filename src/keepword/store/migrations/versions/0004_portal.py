"""portal: debtors' one-time sign-in codes and their proofs of payment

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 12:17:44.351313
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import keepword.store.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('debtor_codes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('party_id', sa.String(length=32), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', keepword.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', keepword.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', keepword.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_debtor_codes_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_debtor_codes_party_id_parties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debtor_codes'))
    )
    with op.batch_alter_table('debtor_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_debtor_codes_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_debtor_codes_party_id'), ['party_id'], unique=False)

    op.create_table('payment_evidence',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('party_id', sa.String(length=32), nullable=False),
    sa.Column('amount_cents', keepword.store.types.Cents(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('submitted_at', keepword.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reviewed_by', sa.String(length=100), nullable=True),
    sa.Column('reviewed_at', keepword.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('payment_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_payment_evidence_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_payment_evidence_party_id_parties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_evidence'))
    )
    with op.batch_alter_table('payment_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_evidence_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_evidence_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('payment_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_evidence_status'))
        batch_op.drop_index(batch_op.f('ix_payment_evidence_case_id'))

    op.drop_table('payment_evidence')
    with op.batch_alter_table('debtor_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_debtor_codes_party_id'))
        batch_op.drop_index(batch_op.f('ix_debtor_codes_case_id'))

    op.drop_table('debtor_codes')
