"""Training the page model: the command that turns ``../shared/corpus/pages`` into the weights the package ships.

``corpus`` reads the labelled pages, ``align`` finds each gold line among a page's blocks, ``fit`` builds the
examples, trains the booster, tunes its decoder and writes ``clean/page/model/weights/`` with its card. Nothing in
``clean`` imports this package while cleaning: it is a tool on top, run as ``python -m clean.train``.
"""
