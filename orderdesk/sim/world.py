"""The simulated world: customers and their formats, printers, products, addresses, people."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from orderdesk.core.records import Party

OriginalFormat = Literal["xml-erp", "shop", "custom", "marketplace"]

INTAKE_URL = "https://intake.orderdesk.example"


@dataclass(frozen=True)
class Product:
    """A product the printers make, by its Gelato product UID."""

    uid: str
    name: str
    framed: bool = False
    hanger: bool = False


PRODUCTS: dict[str, Product] = {
    product.name: product
    for product in (
        Product(
            "apparel_product_gca_t-shirt_gsc_crewneck_gcu_unisex_gqa_classic_gsi_m_gco_white_gpr_4-4",
            "t-shirt white M",
        ),
        Product(
            "apparel_product_gca_t-shirt_gsc_crewneck_gcu_unisex_gqa_classic_gsi_l_gco_black_gpr_4-0",
            "t-shirt black L",
        ),
        Product(
            "apparel_product_gca_hoodie_gsc_pullover_gcu_unisex_gqa_premium_gsi_l_gco_navy_gpr_4-0",
            "hoodie navy L",
        ),
        Product(
            "flat_product_pf_a4_pt_200-gsm-uncoated_cl_4-0_ct_none_prt_none_sft_none_set_none_hor",
            "flyer A4",
        ),
        Product(
            "flat_product_pf_500x700-mm_pt_170-gsm-65lb-uncoated_cl_4-0_ct_none_prt_none_sft_none_set_none_ver",
            "poster 50x70",
        ),
        Product("cards_pf_bx_pt_110-lb-cover-uncoated_cl_4-4_hor", "greeting cards"),
        Product("mug_product_msz_11-oz_mmat_ceramic-white_cl_4-0", "mug 11 oz"),
        Product(
            "framed_poster_mounted_pf_300x400-mm_pt_200-gsm-80lb-uncoated_frc_black_frm_wood_ver",
            "framed poster 30x40",
            framed=True,
        ),
        Product(
            "poster_hanger_pf_300x400-mm_pt_200-gsm-80lb-coated-silk_cl_4-0_hc_white_hm_wood_ver",
            "poster with hanger 30x40",
            hanger=True,
        ),
    )
}

#: Sold out at every printer for the whole simulation: orders holding it fail validation.
OUT_OF_STOCK = frozenset({PRODUCTS["poster with hanger 30x40"].uid})
#: Framed products cannot be shipped to these destinations.
NO_FRAMES_TO = frozenset({"CL", "IN"})


@dataclass(frozen=True)
class Printer:
    """A print provider that receives final requests and posts status updates back."""

    id: str
    name: str
    host: str
    api_key: str
    countries: frozenset[str]
    frames_only: bool = False

    @property
    def party(self) -> Party:
        """The printer as named on a record."""
        return Party(id=self.id, name=self.name)

    @property
    def orders_url(self) -> str:
        """Where final order requests go."""
        return f"https://{self.host}/v4/orders"


PRINTERS: tuple[Printer, ...] = (
    Printer(
        "prn_chicago",
        "Inkwell Press Chicago",
        "api.inkwellpress.example",
        "iwp_live_5f1c9a2e7b",
        frozenset({"US", "CA"}),
    ),
    Printer(
        "prn_leipzig",
        "Druckhaus Leipzig",
        "orders.druckhaus-leipzig.example",
        "dhl_key_93b0e4d8a1",
        frozenset({"DE", "GB", "NL", "FR", "IN"}),
    ),
    Printer(
        "prn_sydney",
        "Southern Cross Print Sydney",
        "api.southerncrossprint.example",
        "scp_2b7d1f9e04",
        frozenset({"AU"}),
    ),
    Printer(
        "prn_saopaulo",
        "Gráfica Paulista",
        "pedidos.graficapaulista.example",
        "gp_8e3a6c0d52",
        frozenset({"BR", "CL"}),
    ),
    Printer(
        "prn_porto",
        "Frameworks Porto",
        "api.frameworks-porto.example",
        "fwp_c4a9e17b36",
        frozenset({"DE", "GB", "NL", "FR"}),
        frames_only=True,
    ),
)


def route(country: str, *, framed: bool = False) -> Printer:
    """The printer that makes an item for a destination (frames go to a specialist in Europe)."""
    if framed:
        for printer in PRINTERS:
            if printer.frames_only and country in printer.countries:
                return printer
    for printer in PRINTERS:
        if not printer.frames_only and country in printer.countries:
            return printer
    return PRINTERS[0]


@dataclass(frozen=True, eq=False)
class Customer:
    """A merchant's platform that sends orders in its own format and wants webhooks back."""

    id: str
    name: str
    format: OriginalFormat
    store_id: str
    webhook_url: str
    #: The customer's product codes and the Gelato product each one maps to.
    catalog: dict[str, str]
    #: Codes the customer sends that its lookup table does not know.
    unknown_codes: tuple[str, ...]
    secret: str
    template_versions: dict[str, int] = field(default_factory=dict)

    @property
    def party(self) -> Party:
        """The customer as named on a record."""
        return Party(id=self.id, name=self.name)

    @property
    def webhook_is_xml(self) -> bool:
        """Whether the customer's system wants its webhooks as XML."""
        return self.format == "xml-erp"

    def code_for(self, product: Product) -> str:
        """The customer's own code for a product."""
        for code, uid in self.catalog.items():
            if uid == product.uid:
                return code
        raise KeyError(f"{self.name} does not sell {product.name}")


def _catalog(prefix: str, codes: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}{code}": PRODUCTS[name].uid for code, name in codes.items()}


CUSTOMERS: tuple[Customer, ...] = (
    Customer(
        id="cus_northwind",
        name="Northwind Trading",
        format="xml-erp",
        store_id="st_7c1e9b20",
        webhook_url="https://erp.northwind-trading.example/sap/bc/orderstatus",
        catalog=_catalog(
            "NW-",
            {
                "100245": "flyer A4",
                "100311": "greeting cards",
                "200118": "poster 50x70",
                "200120": "framed poster 30x40",
                "200131": "poster with hanger 30x40",
            },
        ),
        unknown_codes=("NW-100246", "NW-300002"),
        secret="Basic bm9ydGh3aW5kOnMzY3JldC1lcnA=",
        template_versions={"submit": 12, "cancel": 3, "webhook": 5},
    ),
    Customer(
        id="cus_maplethreads",
        name="Maple Threads",
        format="shop",
        store_id="st_2f8a6d41",
        webhook_url="https://maple-threads.example/apps/print/webhooks",
        catalog=_catalog(
            "MT-",
            {
                "TEE-WHT-M": "t-shirt white M",
                "TEE-BLK-L": "t-shirt black L",
                "HOOD-NVY-L": "hoodie navy L",
                "MUG-11": "mug 11 oz",
                "FRAME-3040": "framed poster 30x40",
                "HANG-3040": "poster with hanger 30x40",
            },
        ),
        unknown_codes=("MT-TEE-WHT-XXL", "MT-HOOD-GRY-M-v2"),
        secret="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",
        template_versions={"submit": 7, "cancel": 2, "webhook": 4},
    ),
    Customer(
        id="cus_pixelpress",
        name="PixelPress Studio",
        format="custom",
        store_id="st_b5d03e77",
        webhook_url="https://hooks.pixelpress.example/gelato/status",
        catalog=_catalog(
            "",
            {
                "pp-poster-50x70": "poster 50x70",
                "pp-flyer-a4": "flyer A4",
                "pp-cards-box": "greeting cards",
                "pp-framed-30x40": "framed poster 30x40",
                "pp-hanger-30x40": "poster with hanger 30x40",
                "pp-mug": "mug 11 oz",
            },
        ),
        unknown_codes=("pp-poster-61x91", "pp-canvas-40x40"),
        secret="Bearer pp_live_4c8e2a6f0b1d3e5a7c9f",
        template_versions={"submit": 23, "cancel": 4, "webhook": 9},
    ),
    Customer(
        id="cus_craftly",
        name="Craftly Marketplace",
        format="marketplace",
        store_id="st_0e4c91aa",
        webhook_url="https://api.craftly.example/v3/fulfillment/events",
        catalog=_catalog(
            "CRF_",
            {
                "TSHIRT_M_WHITE": "t-shirt white M",
                "TSHIRT_L_BLACK": "t-shirt black L",
                "MUG11": "mug 11 oz",
                "POSTER5070": "poster 50x70",
                "FRAMED3040": "framed poster 30x40",
                "HANGER3040": "poster with hanger 30x40",
            },
        ),
        unknown_codes=("CRF_TOTEBAG", "CRF_POSTER5070_MATTE"),
        secret="crf_key_0d2b4f6a8c1e3a5b7d9f",
        template_versions={"submit": 3, "cancel": 1, "webhook": 2},
    ),
)


@dataclass(frozen=True)
class Address:
    """A street address that passes the printers' checks as it stands."""

    line1: str
    city: str
    post_code: str
    country: str
    state: str = ""


ADDRESSES: tuple[Address, ...] = (
    Address("1600 W Fulton St", "Chicago", "60612", "US", "IL"),
    Address("350 Fifth Avenue", "New York", "10118", "US", "NY"),
    Address("2211 N First St", "San Jose", "95131", "US", "CA"),
    Address("88 Queen St W", "Toronto", "M5H 2M3", "CA", "ON"),
    Address("221B Baker Street", "London", "NW1 6XE", "GB", "London"),
    Address("14 Deansgate", "Manchester", "M3 2BW", "GB", "Greater Manchester"),
    Address("Karl-Liebknecht-Straße 34", "Leipzig", "04107", "DE"),
    Address("Torstraße 125", "Berlin", "10119", "DE"),
    Address("Prinsengracht 263", "Amsterdam", "1016 GV", "NL"),
    Address("12 Rue de Rivoli", "Paris", "75004", "FR"),
    Address("48 Pirrama Rd", "Pyrmont", "2009", "AU", "NSW"),
    Address("Av. Paulista, 1578", "São Paulo", "01310-200", "BR", "SP"),
    Address("Av. Providencia 1208", "Santiago", "7500000", "CL", "RM"),
    Address("27 MG Road", "Bengaluru", "560001", "IN", "KA"),
)

STATE_REQUIRED = frozenset({"US", "GB", "AU", "BR", "CL", "IN"})

FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Zoë",
    "José",
    "Søren",
    "Aisha",
    "Mei",
    "Lukas",
    "Chloé",
    "Mateus",
    "Priya",
    "Noah",
    "Ingrid",
    "Kenji",
    "Fatima",
    "Oliver",
    "Amélie",
    "Tomás",
)
LAST_NAMES = (
    "Smith",
    "Müller",
    "García",
    "Nguyen",
    "O'Brien",
    "Kowalski",
    "Janssen",
    "Rossi",
    "Silva",
    "Patel",
    "Dubois",
    "Andersen",
    "Tanaka",
    "Okafor",
    "Brown",
    "Ferreira",
)
COMPANIES = ("", "", "", "Acme Events Ltd", "Studio Nord GmbH", "Bright Ideas LLC")

#: Long street lines that break the 35-character limit.
LONG_LINES = (
    "Apartment 4B, The Old Biscuit Factory, 100 Clements Road",
    "Unit 17, Riverside Business Park, Kingfisher Way Industrial Estate",
    "c/o Reception desk, Building C, 3rd floor, Innovation Campus North",
)

CARRIERS: tuple[tuple[str, str, str], ...] = (
    (
        "DHL Express",
        "JD0146000031{n:08d}",
        "https://www.dhl.com/en/express/tracking.html?AWB={code}",
    ),
    ("UPS Standard", "1Z999AA1{n:010d}", "https://www.ups.com/track?tracknum={code}"),
    (
        "USPS Priority",
        "9400111{n:015d}",
        "https://tools.usps.com/go/TrackConfirmAction?tLabels={code}",
    ),
    (
        "Royal Mail Tracked 48",
        "RM{n:09d}GB",
        "https://www.royalmail.com/track-your-item#/tracking-results/{code}",
    ),
    ("PostNL", "3SPNL{n:010d}", "https://jouw.postnl.nl/track-and-trace/{code}-NL"),
)
