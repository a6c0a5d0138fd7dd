"""Oversight: the notice outbox, roster uploads awaiting confirmation, badge and supervisor on users, pass/fail kept on attempts.

Revision ID: 0005_oversight
Revises: 0004_certificates
Create Date: 2026-11-28 09:08:31.990491

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_oversight'
down_revision = '0004_certificates'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('recipient_email', sa.String(length=254), nullable=False),
    sa.Column('recipient_user_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_notice_status')),
    sa.ForeignKeyConstraint(['officer_id'], ['user.id'], name=op.f('fk_notice_officer_id_user')),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['user.id'], name=op.f('fk_notice_recipient_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notice_dedupe_key'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_recipient_user_id'), ['recipient_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_status'), ['status'], unique=False)

    op.create_table('roster_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('consumed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_roster_upload_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_upload')),
    sa.UniqueConstraint('token', name=op.f('uq_roster_upload_token'))
    )
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('passed', sa.Boolean(), nullable=True))
    # Attempts scored before this column: every course so far passes at 70%.
    op.execute("UPDATE exam_attempt SET passed = (COALESCE(override_score, score) >= 70) "
               "WHERE score IS NOT NULL")

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('badge_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('supervisor_email', sa.String(length=254), nullable=True))




def downgrade():

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('supervisor_email')
        batch_op.drop_column('badge_number')

    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.drop_column('passed')

    op.drop_table('roster_upload')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_status'))
        batch_op.drop_index(batch_op.f('ix_notice_recipient_user_id'))
        batch_op.drop_index(batch_op.f('ix_notice_officer_id'))
        batch_op.drop_index(batch_op.f('ix_notice_kind'))

    op.drop_table('notice')

