"""The Scraper component: finds KAA Gent home fixtures and publishes scrape results.

Modules, one job each: ``config`` (the recipe's configuration), ``dutch`` (dates and
times as Dutch pages write them), ``teams`` (names, the club, stable keys), ``page``
(HTML pages) and ``ics`` (calendar feeds) parse, ``reading`` (a body by its source's kind),
``games`` (home fixtures from what was read), ``health`` (the verdict), ``baseline`` (when a
smaller fixture list is believed), ``crawler`` (one crawl per scrape in a child process),
``crawl`` / ``spider`` / ``pipelines`` / ``middleware`` / ``failures`` (that crawl, on
Scrapy's engine), ``pages`` (what crosses between them), ``scrape`` (a source's page
judged), ``memory`` (what survives a restart), ``service`` (the component's loop), ``cli``
(``ghela scrape``) and ``demo`` (a feed for ``ghela up --demo``). It never touches the
database and never decides alerts.
"""
