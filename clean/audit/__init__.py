"""Reading a published dataset back: ``explain`` replays one document's removals against its input, ``report``
writes ``OUT/report.html``. Both read only what ``layout`` says a run wrote."""
