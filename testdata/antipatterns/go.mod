module example.com/antipatterns

go 1.26
