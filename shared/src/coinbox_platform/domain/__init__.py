"""Domain services (docs/product.md §3). Each money movement runs in one Firestore transaction
together
with its ledger entries (see `ledger`)."""
