"""Work asked for on a page and done away from the web request (see warehouse.jobs)."""
