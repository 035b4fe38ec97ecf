"""Sample bank files that several stories upload: a short OFX 1 statement and the same two
payments as QIF (a bakery on 3 October, the salary on 25 October 2026); a CSV of October with
the rent, the salary and two identical coffees (the same row twice is not a duplicate)."""

from __future__ import annotations

CSV = b"""Date,Description,Amount
2026-10-01,Landlord,-1150.00
2026-10-03,Blue Coffee,-4.50
2026-10-03,Blue Coffee,-4.50
2026-10-25,ACME Corp,3850.00
"""

# The header of every OFX 1 (SGML) file.
OFX1_HEADER = b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

"""

OFX = (
    OFX1_HEADER
    + b"""<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKTRANLIST>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261003<TRNAMT>-12.50<FITID>A1<NAME>Corner Bakery</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261025<TRNAMT>3850.00<FITID>A2<NAME>ACME</STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""
)

QIF = b"""!Type:Bank
D10/03/2026
T-12.50
PCorner Bakery
^
D10/25/2026
T3,850.00
PACME CORP
^
"""
