"""registry: courts, parties, cases, listings, restrictions, outbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 12:11:32.375482
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import keepword.store.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('courts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('province', sa.String(length=50), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.String(length=32), nullable=True),
    sa.Column('timezone', sa.String(length=50), nullable=False),
    sa.Column('ringback_template', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['courts.id'], name=op.f('fk_courts_parent_id_courts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courts'))
    )
    with op.batch_alter_table('courts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courts_parent_id'), ['parent_id'], unique=False)

    op.create_table('outbox',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=60), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=True),
    sa.Column('debtor_id', sa.String(length=32), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=True),
    sa.Column('occurred_at', keepword.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id')),
    sa.UniqueConstraint('position', name=op.f('uq_outbox_position'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_debtor_id'), ['debtor_id'], unique=False)
        batch_op.create_index('ix_outbox_unpositioned', ['seq'], unique=False, postgresql_where=sa.text('position IS NULL'), sqlite_where=sa.text('position IS NULL'))

    op.create_table('parties',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('phones', sa.JSON(), nullable=False),
    sa.Column('address', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parties')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_parties_credit_code')),
    sa.UniqueConstraint('id_number', name=op.f('uq_parties_id_number'))
    )
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parties_name'), ['name'], unique=False)

    op.create_table('bound_persons',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('party_id', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_bound_persons_party_id_parties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bound_persons'))
    )
    with op.batch_alter_table('bound_persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bound_persons_id_number'), ['id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_bound_persons_party_id'), ['party_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('court_id', sa.String(length=32), nullable=False),
    sa.Column('case_number', sa.String(length=100), nullable=False),
    sa.Column('policy_id', sa.String(length=40), nullable=False),
    sa.Column('obligation_cents', keepword.store.types.Cents(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('obligation_text', sa.Text(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('judgment_date', sa.Date(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('warned_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closing_reason', sa.Text(), nullable=True),
    sa.Column('created_at', keepword.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', keepword.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['court_id'], ['courts.id'], name=op.f('fk_cases_court_id_courts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('court_id', 'case_number', name=op.f('uq_cases_court_id_case_number'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_filed_on'), ['filed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

    op.create_table('case_parties',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('party_id', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('performance_order', sa.Integer(), nullable=False),
    sa.Column('guarantee_given', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_parties_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_case_parties_party_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_parties'))
    )
    with op.batch_alter_table('case_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_parties_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_parties_party_id'), ['party_id'], unique=False)

    op.create_table('listings',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('debtor_id', sa.String(length=32), nullable=False),
    sa.Column('grounds', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('applicant_id', sa.String(length=32), nullable=True),
    sa.Column('proposed_on', sa.Date(), nullable=False),
    sa.Column('proposed_by', sa.String(length=100), nullable=False),
    sa.Column('proposal_note', sa.Text(), nullable=False),
    sa.Column('rejected_reason', sa.Text(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('term_months', sa.Integer(), nullable=True),
    sa.Column('grace_months', sa.Integer(), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=True),
    sa.Column('served_by', sa.String(length=100), nullable=True),
    sa.Column('publish_on', sa.Date(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('extension_months', sa.Integer(), nullable=False),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('deletion_condition', sa.String(length=40), nullable=True),
    sa.Column('deletion_requested_by', sa.String(length=32), nullable=True),
    sa.Column('deletion_triggered_on', sa.Date(), nullable=True),
    sa.Column('deletion_due', sa.Date(), nullable=True),
    sa.Column('deleted_on', sa.Date(), nullable=True),
    sa.Column('deleted_by', sa.String(length=100), nullable=True),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('revoked_by', sa.String(length=100), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['parties.id'], name=op.f('fk_listings_applicant_id_parties')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_listings_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['debtor_id'], ['parties.id'], name=op.f('fk_listings_debtor_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listings'))
    )
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listings_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_debtor_id'), ['debtor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_deletion_due'), ['deletion_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_publish_on'), ['publish_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_state'), ['state'], unique=False)

    op.create_table('measures',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('ordered_on', sa.Date(), nullable=False),
    sa.Column('ordered_by', sa.String(length=100), nullable=False),
    sa.Column('debtor_id', sa.String(length=32), nullable=True),
    sa.Column('value_cents', keepword.store.types.Cents(), nullable=True),
    sa.Column('value_currency', sa.String(length=3), nullable=True),
    sa.Column('assets_found', sa.Boolean(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_measures_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['debtor_id'], ['parties.id'], name=op.f('fk_measures_debtor_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measures'))
    )
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measures_case_id'), ['case_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('amount_cents', keepword.store.types.Cents(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('payer_id', sa.String(length=32), nullable=True),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', keepword.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_payments_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payer_id'], ['parties.id'], name=op.f('fk_payments_payer_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_case_id'), ['case_id'], unique=False)

    op.create_table('restrictions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('debtor_id', sa.String(length=32), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('ordered_on', sa.Date(), nullable=False),
    sa.Column('ordered_by', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('lifted_on', sa.Date(), nullable=True),
    sa.Column('lift_reason', sa.String(length=40), nullable=True),
    sa.Column('lifted_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_restrictions_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['debtor_id'], ['parties.id'], name=op.f('fk_restrictions_debtor_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_restrictions'))
    )
    with op.batch_alter_table('restrictions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_restrictions_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_restrictions_debtor_id'), ['debtor_id'], unique=False)

    op.create_table('exemptions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('restriction_id', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('approved_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['restriction_id'], ['restrictions.id'], name=op.f('fk_exemptions_restriction_id_restrictions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exemptions'))
    )
    with op.batch_alter_table('exemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exemptions_restriction_id'), ['restriction_id'], unique=False)

    op.create_table('objections',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('listing_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('review_due', sa.Date(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('upheld', sa.Boolean(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('fix_due', sa.Date(), nullable=True),
    sa.Column('appeal_until', sa.Date(), nullable=True),
    sa.Column('appealed_on', sa.Date(), nullable=True),
    sa.Column('appeal_due', sa.Date(), nullable=True),
    sa.Column('appeal_decided_on', sa.Date(), nullable=True),
    sa.Column('appeal_upheld', sa.Boolean(), nullable=True),
    sa.Column('appeal_decided_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_objections_listing_id_listings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections'))
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objections_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_review_due'), ['review_due'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objections_review_due'))
        batch_op.drop_index(batch_op.f('ix_objections_listing_id'))

    op.drop_table('objections')
    with op.batch_alter_table('exemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exemptions_restriction_id'))

    op.drop_table('exemptions')
    with op.batch_alter_table('restrictions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_restrictions_debtor_id'))
        batch_op.drop_index(batch_op.f('ix_restrictions_case_id'))

    op.drop_table('restrictions')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_case_id'))

    op.drop_table('payments')
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measures_case_id'))

    op.drop_table('measures')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listings_state'))
        batch_op.drop_index(batch_op.f('ix_listings_publish_on'))
        batch_op.drop_index(batch_op.f('ix_listings_expires_on'))
        batch_op.drop_index(batch_op.f('ix_listings_deletion_due'))
        batch_op.drop_index(batch_op.f('ix_listings_debtor_id'))
        batch_op.drop_index(batch_op.f('ix_listings_case_id'))

    op.drop_table('listings')
    with op.batch_alter_table('case_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_parties_party_id'))
        batch_op.drop_index(batch_op.f('ix_case_parties_case_id'))

    op.drop_table('case_parties')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_filed_on'))

    op.drop_table('cases')
    with op.batch_alter_table('bound_persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bound_persons_party_id'))
        batch_op.drop_index(batch_op.f('ix_bound_persons_id_number'))

    op.drop_table('bound_persons')
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parties_name'))

    op.drop_table('parties')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_unpositioned', postgresql_where=sa.text('position IS NULL'), sqlite_where=sa.text('position IS NULL'))
        batch_op.drop_index(batch_op.f('ix_outbox_debtor_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_case_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('courts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courts_parent_id'))

    op.drop_table('courts')
