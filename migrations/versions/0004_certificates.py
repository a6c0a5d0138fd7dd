"""Certificates (frozen signed PDFs, statuses), delegated-authority grants and withdrawals, API tokens.

Revision ID: 0004_certificates
Revises: 0003_assessments
Create Date: 2026-11-28 08:47:10.331013

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_certificates'
down_revision = '0003_assessments'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_api_token_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('authority_withdrawal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['user.id'], name=op.f('fk_authority_withdrawal_officer_id_user')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user.id'], name=op.f('fk_authority_withdrawal_withdrawn_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authority_withdrawal'))
    )
    with op.batch_alter_table('authority_withdrawal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authority_withdrawal_officer_id'), ['officer_id'], unique=False)

    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=24), nullable=False),
    sa.Column('completion_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('course_key', sa.String(length=40), nullable=False),
    sa.Column('course_code', sa.String(length=20), nullable=False),
    sa.Column('course_title', sa.String(length=300), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('course_version_hash', sa.String(length=64), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('agency_name', sa.String(length=200), nullable=False),
    sa.Column('program_model', sa.String(length=3), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('issuing_official', sa.String(length=200), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=254), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('basic', 'refresher')", name=op.f('ck_certificate_kind')),
    sa.CheckConstraint("status IN ('valid', 'revoked', 'superseded')", name=op.f('ck_certificate_status')),
    sa.ForeignKeyConstraint(['completion_id'], ['course_completion.id'], name=op.f('fk_certificate_completion_id_course_completion')),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_version.id'], name=op.f('fk_certificate_course_version_id_course_version')),
    sa.ForeignKeyConstraint(['officer_id'], ['user.id'], name=op.f('fk_certificate_officer_id_user')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['certificate.id'], name=op.f('fk_certificate_superseded_by_id_certificate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('completion_id', name=op.f('uq_certificate_completion_id')),
    sa.UniqueConstraint('serial', name=op.f('uq_certificate_serial'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_officer_id'), ['officer_id'], unique=False)

    op.create_table('authority_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('renewal_of_id', sa.Integer(), nullable=True),
    sa.Column('granted_by_id', sa.Integer(), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('letter_number', sa.String(length=40), nullable=False),
    sa.Column('letter_pdf', sa.LargeBinary(), nullable=False),
    sa.Column('letter_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_authority_grant_agreement_id_agreement')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_authority_grant_certificate_id_certificate')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user.id'], name=op.f('fk_authority_grant_granted_by_id_user')),
    sa.ForeignKeyConstraint(['officer_id'], ['user.id'], name=op.f('fk_authority_grant_officer_id_user')),
    sa.ForeignKeyConstraint(['renewal_of_id'], ['authority_grant.id'], name=op.f('fk_authority_grant_renewal_of_id_authority_grant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authority_grant')),
    sa.UniqueConstraint('letter_number', name=op.f('uq_authority_grant_letter_number'))
    )
    with op.batch_alter_table('authority_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authority_grant_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_authority_grant_officer_id'), ['officer_id'], unique=False)




def downgrade():

    with op.batch_alter_table('authority_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authority_grant_officer_id'))
        batch_op.drop_index(batch_op.f('ix_authority_grant_agreement_id'))

    op.drop_table('authority_grant')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_officer_id'))

    op.drop_table('certificate')
    with op.batch_alter_table('authority_withdrawal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authority_withdrawal_officer_id'))

    op.drop_table('authority_withdrawal')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')

