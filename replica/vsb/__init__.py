"""A 博达 VSB (Vsbsite) portal replica: ``.htm`` columns, ``/info/<column>/<id>.htm`` details."""
