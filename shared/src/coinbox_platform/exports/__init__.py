"""Exports of a user's data as CSV, JSON or XLSX (docs/product.md §7).

catalog   what can be exported: per type the collection, owner field, time field, columns
writers   streaming file writers (csv module, JSON array, openpyxl write-only XLSX) with
          formula-injection escaping
service   the export job: queue, run (page by page from Firestore into a temp file, then
          Cloud Storage), download, expiry
"""
