"""Customer feedback coming in: each record normalised (cleaned, redacted, its words, feeling
and burdens found once), files imported in batches, the webhook, storing with dedupe, and
retention and erasure of what was stored."""
