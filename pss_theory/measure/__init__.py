"""The passes over E and what they need: ``metrics`` (pass 1: M, the Gram, row norms; pass 2: every row
read back; the exact macro distortion), ``memory`` (block sizes planned against free memory, retries
after out-of-memory), ``cells`` (independent cells run and recorded resumably)."""
