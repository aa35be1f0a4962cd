"""Hanweb JCMS (大汉) portal replica: templates, list servlet, routing."""
