"""``python3 -u -m ghela.scraper``: the Scraper component under the nucleus."""

from ghela.core.component import run_component
from ghela.scraper.config import ScraperConfig
from ghela.scraper.service import start

if __name__ == "__main__":
    run_component("Scraper", ScraperConfig, start)
