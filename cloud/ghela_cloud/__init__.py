"""Ghelamco Alert's cloud side: the Lambda API, resource names shared with the SAM
template, local provisioning against moto, the local API server, and deployment.

- ``names``    every resource name, key and metric name the template and moto share
- ``api``      the HTTP API's Lambda handlers (powertools), one per resource group
- ``local``    moto provisioning, local JWT verification, the local HTTP server
- ``deploy``   packaging the Lambda source and deploying the stack (``ghela deploy``)
"""

import ghela  # noqa: F401  (first: it answers pydantic's plugin search, ghela.core.pydanticplugins)
