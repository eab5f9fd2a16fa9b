"""Deploying the cloud side: package the Lambda source, ``sam build/deploy``, publish the
components, upload the web page with its configuration, invalidate CloudFront."""
