"""Publication (积分发布) and bank pushes (向合作银行推送): what leaves the platform.

- ``publish``: freezes the scores of one (scheme, year) into audit.publications /
  publication_scores / publication_indicator_points, only when the data-quality gate passed on
  exactly the data being published (``gate``); append-only and immutable.
- ``push``: writes the 科技型企业积分情况表 of a publication for one partner bank (XLSX + CSV), only
  for enterprises whose consent to that bank is in force on the push date, and records it.
- ``pipeline``: import → build → validate → publish → push, stopping at the first failure.

Everything here connects as ``innopoints_publisher``: it reads the marts and the gate's verdict,
reads the consents feed and the seeds, and may only append to the publication and push tables.
"""
