// Screens of this area register their routes here (issue 9).
