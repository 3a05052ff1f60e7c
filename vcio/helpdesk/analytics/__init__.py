"""Help-desk analytics: plain functions over Ticket rows, as of a date, in the client's hours.

``hours`` counts business hours (vectorised), ``data`` loads the rows a
period needs in a fixed number of queries, ``volume``/``times``/``sla``/
``backlog``/``trends``/``recurring`` compute one kind of figure each, and
``report`` ties them into the report the page, the API and the review read.
"""
