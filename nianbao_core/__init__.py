"""The values every layer of nianbao-archive passes to another, defined once.

This package imports nothing of the project (and no third-party package), so
any layer may import it: the parser, the WARC code, storage, spiders,
pipelines and commands. It holds what two layers must agree on, and nothing
else:

* :mod:`nianbao_core.pointer`: ``WarcPointer``, where a record sits in a WARC
  file, from the writer to ``request.meta`` to the item to the database;
* :mod:`nianbao_core.captures`: what the capture index is told and answers
  (``RequestKey``, ``CaptureEntry``, ``PreviousCapture``, ``CharsetEvidence``);
* :mod:`nianbao_core.record`: the report record's spec (its keys, templates,
  metadata fields), from which storage columns and export columns are derived;
* :mod:`nianbao_core.stat_keys`: the keys of the record's ``stats`` per form,
  with their printed labels (parser, exports, figures and replicas use them);
* :mod:`nianbao_core.digests`: each digest of the project, one definition each;
* :mod:`nianbao_core.meta`: the ``request.meta`` keys layers share.
"""
