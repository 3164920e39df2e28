"""The read model: every judgement for pages, packs and downloads, made once per audience, with
the publication rules that decide what the public may see."""
