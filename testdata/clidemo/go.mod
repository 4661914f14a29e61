module example.com/clidemo

go 1.26
