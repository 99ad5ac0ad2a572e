"""The Home tab's table: who opened it, and the view last published for them."""
