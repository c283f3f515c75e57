# Break-glass grants are reviewed on their own page (access.views.review_list), not in the admin.
