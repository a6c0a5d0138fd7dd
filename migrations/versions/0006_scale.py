"""Scale: certificates imported from an earlier system, rate-limit counters shared by every process.

Revision ID: 0006_scale
Revises: 0005_oversight
Create Date: 2026-11-28 10:30:16.737071

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_scale'
down_revision = '0005_oversight'
branch_labels = None
depends_on = None


def upgrade():
    # One row per key and fixed window; the primary key makes the increment an upsert.
    op.create_table('rate_limit_bucket',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('window_start', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'window_start', name=op.f('pk_rate_limit_bucket'))
    )
    with op.batch_alter_table('rate_limit_bucket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_bucket_window_start'), ['window_start'], unique=False)

    # Every certificate so far was signed here, so the default "issued" is true of all of them.
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=10), server_default='issued', nullable=False))
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=True)
        batch_op.alter_column('sha256', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_check_constraint('origin', "origin IN ('issued', 'imported')")
        batch_op.create_check_constraint(
            'issued_has_pdf', "origin = 'imported' OR (pdf IS NOT NULL AND sha256 IS NOT NULL)")


def downgrade():
    # Refuses (NOT NULL fails) while imported certificates without a PDF exist: delete them first.
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_certificate_issued_has_pdf'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_certificate_origin'), type_='check')
        batch_op.alter_column('sha256', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('origin')

    with op.batch_alter_table('rate_limit_bucket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_bucket_window_start'))

    op.drop_table('rate_limit_bucket')
