"""Every sentence a person reads, rendered from Summaries: claim and comparison tables."""
