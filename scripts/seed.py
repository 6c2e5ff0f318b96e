"""Seed the local stack with demo data and print how to use it.

Runs against the emulators named in the environment (scripts/stack.py sets them): creates Auth
accounts with fixed uids and passwords, their profiles, funded wallets, loans (open, funded,
repaid), crypto listings and inbox messages, all through the domain services (so every wallet
change has its ledger entry); then prints the URLs, each user's sign-in and a fresh ID token.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coinbox_platform.domain import crypto, loans, messages, wallets
from coinbox_platform.domain.models import OrderSide, Priority
from coinbox_platform.money import Asset
from coinbox_platform.tiers import KycStatus, MembershipTier, Role
from tests.support import put_profile

PASSWORD = "coinbox-demo"  # noqa: S105 - emulator-only demo accounts
USERS = [
    # uid, email, name, role, tier, kyc, rands
    (
        "demo-admin",
        "admin@coinbox.test",
        "Ada Admin",
        Role.ADMIN,
        MembershipTier.BUSINESS,
        KycStatus.VERIFIED,
        0,
    ),
    (
        "demo-support",
        "support@coinbox.test",
        "Sam Support",
        Role.SUPPORT,
        MembershipTier.BASIC,
        KycStatus.VERIFIED,
        0,
    ),
    (
        "demo-thandi",
        "thandi@coinbox.test",
        "Thandi Borrower",
        Role.USER,
        MembershipTier.VIP,
        KycStatus.VERIFIED,
        20_000,
    ),
    (
        "demo-sipho",
        "sipho@coinbox.test",
        "Sipho Investor",
        Role.USER,
        MembershipTier.BUSINESS,
        KycStatus.VERIFIED,
        250_000,
    ),
]


def auth_url(path: str) -> str:
    return f"http://{os.environ['FIREBASE_AUTH_EMULATOR_HOST']}/identitytoolkit.googleapis.com/v1/{path}"


def create_account(uid: str, email: str, name: str) -> None:
    resp = requests.post(
        auth_url(f"projects/{os.environ['GCLOUD_PROJECT']}/accounts"),
        headers={"Authorization": "Bearer owner"},
        json={
            "localId": uid,
            "email": email,
            "password": PASSWORD,
            "displayName": name,
            "emailVerified": True,
        },
        timeout=10,
    )
    if resp.status_code >= 400 and "DUPLICATE" not in resp.text and "EXISTS" not in resp.text:
        resp.raise_for_status()


def id_token(email: str) -> str:
    resp = requests.post(
        auth_url("accounts:signInWithPassword?key=fake"),
        json={"email": email, "password": PASSWORD, "returnSecureToken": True},
        timeout=10,
    )
    resp.raise_for_status()
    return str(resp.json()["idToken"])


def seed() -> dict[str, object]:
    profiles = {}
    for uid, email, name, role, tier, kyc, rands in USERS:
        create_account(uid, email, name)
        profiles[uid] = put_profile(uid, email=email, kyc=kyc, tier=tier, role=role)
        if rands:
            wallets.deposit(uid, amount=rands * 100)
    thandi, sipho = profiles["demo-thandi"], profiles["demo-sipho"]
    wallets.deposit(thandi.id, asset=Asset.BTC, quantity="0.25")
    wallets.deposit(sipho.id, asset=Asset.ETH, quantity="3.5")

    open_loans = [
        loans.create_loan(thandi, loans.LoanRequest(150_000, 18, 30, "Stock for the spaza shop")),
        loans.create_loan(thandi, loans.LoanRequest(300_000, 22, 90, "Sewing machine")),
        loans.create_loan(thandi, loans.LoanRequest(80_000, 15, 14, "School fees")),
    ]
    funded = loans.create_loan(thandi, loans.LoanRequest(200_000, 20, 60, "Delivery bicycle"))
    loans.fund_loan(sipho, funded.id, funded.amount)
    loans.repay_loan(thandi.id, funded.id, 60_000)
    repaid = loans.create_loan(thandi, loans.LoanRequest(50_000, 16, 7, "Airtime float"))
    loans.fund_loan(sipho, repaid.id, repaid.amount)
    loans.repay_loan(thandi.id, repaid.id, 50_000 + loans.loan_interest(50_000, 16))
    loans.create_loan(thandi, loans.LoanRequest(900_000, 20, 30, "Over the VIP limit"))

    crypto.create_order(thandi, crypto.OrderRequest(Asset.BTC, OrderSide.SELL, "0.01", 120_000_000))
    crypto.create_order(thandi, crypto.OrderRequest(Asset.BTC, OrderSide.SELL, "0.02", 121_500_000))
    crypto.create_order(sipho, crypto.OrderRequest(Asset.BTC, OrderSide.BUY, "0.015", 118_000_000))
    crypto.create_order(sipho, crypto.OrderRequest(Asset.ETH, OrderSide.SELL, "0.5", 6_200_000))
    taken = crypto.create_order(
        sipho, crypto.OrderRequest(Asset.ETH, OrderSide.SELL, "0.1", 6_150_000)
    )
    crypto.take_order(thandi, taken.id)

    for uid in ("demo-thandi", "demo-sipho"):
        messages.send_message(
            messages.build_message(
                uid,
                "Welcome to CoinBox",
                "Your account is verified. Explore the API at /v1.",
                priority=Priority.NORMAL,
                sender_id="demo-support",
            )
        )
    return {"profiles": profiles, "open_loans": open_loans}


def demo_api_key(owner_uid: str) -> str:
    """A ready API key for a demo user (the secret is shown only here)."""
    from coinbox_platform.access import apikeys
    from coinbox_platform.domain.users import require_profile

    _, secret = apikeys.create_api_key(require_profile(owner_uid), name="Demo key")
    return secret


def main() -> None:
    seed()
    api = os.environ["COINBOX_API_BASE"]
    print()
    print("CoinBox local stack is up.")
    print(f"  API (through Hosting):  {api}        e.g. curl {api}/health")
    print(f"  Portal (Hosting):       {os.environ['COINBOX_HOSTING_BASE']}")
    print(f"  OpenAPI document:       {api}/openapi.json")
    print(f"  Functions:              {os.environ['COINBOX_FUNCTIONS_BASE']}/<function>")
    print(f"  Firestore emulator:     {os.environ['FIRESTORE_EMULATOR_HOST']}")
    print(f"  Auth emulator:          {os.environ['FIREBASE_AUTH_EMULATOR_HOST']}")
    print(f"  Storage emulator:       {os.environ['STORAGE_EMULATOR_HOST']}")
    print()
    print(f"Demo users (password for all: {PASSWORD}):")
    tokens = {}
    for uid, email, _name, role, tier, _kyc, _r in USERS:
        tokens[uid] = id_token(email)
        print(f"  {email:24} uid={uid:13} role={role.value:8} tier={tier.value}")
    print()
    print("ID tokens (valid 1 hour; sign in again with signInWithPassword for a new one):")
    for uid, token in tokens.items():
        print(f"  {uid}: {token}")
    key = demo_api_key("demo-sipho")
    print()
    print(f"Demo API key (demo-sipho, enterprise tier, all scopes): {key}")
    print(f"  curl -H 'Authorization: Bearer {key}' {api}/me")
    print(f"  or as a person: curl -H 'Authorization: Bearer <an ID token above>' {api}/me")


if __name__ == "__main__":
    main()
