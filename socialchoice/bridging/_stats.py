"""Group statistics (being written)."""
ConsensusStatement = RepresentativeStatement = consensus_statements = None
group_aware_consensus = representative_statements = None
