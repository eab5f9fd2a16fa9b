"""The Lambda entry points, one per function in ``cloud/template.yaml``.

Before any of them imports powertools (whose Tracer, made on the first call, loads the
X-Ray SDK, which loads botocore): botocore is kept from loading pyOpenSSL and cryptography for nothing, see
:func:`ghela.core.awsclient.without_pyopenssl` (``bench/api.py``: about a tenth of a
cold import's CPU time here).
"""

from ghela.core.awsclient import without_pyopenssl

without_pyopenssl()
