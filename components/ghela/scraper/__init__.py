"""The Scraper component: finds KAA Gent home fixtures and publishes scrape results.

Modules, one job each: ``config`` (the recipe's configuration), ``dutch`` (dates and
times as Dutch pages write them), ``teams`` (names, the club, stable keys), ``spider``
(HTML pages) and ``ics`` (calendar feeds) parse, ``games`` (home fixtures from what was
read), ``health`` (the verdict), ``baseline`` (when a smaller fixture list is believed),
``http`` / ``robots`` / ``fetch`` (polite fetching), ``scrape`` (one source end to end),
``memory`` (what survives a restart), ``service`` (the component's loop), ``cli``
(``ghela scrape``) and ``demo`` (a feed for ``ghela up --demo``). It never touches the
database and never decides alerts.
"""
