// The seed data every service loads at start-up (SEED_DATA=true). Ids are fixed so that seeding
// is an idempotent upsert and so that exercises and tests can name a company or a department.

export interface Company {
  id: string;
  name: string;
  industry: string;
  country: string;
  founded: number;
}

export interface Department {
  id: string;
  companyId: string;
  name: string;
  location: string;
}

export interface Employee {
  id: string;
  companyId: string;
  departmentId: string;
  firstName: string;
  lastName: string;
  email: string;
  role: string;
  startDate: string;
}

type SeedEmployee = Omit<Employee, "id" | "companyId" | "departmentId" | "email"> & { id: string };
type SeedDepartment = Omit<Department, "companyId"> & { employees: SeedEmployee[] };
type SeedCompany = Company & { domain: string; departments: SeedDepartment[] };

const seed: SeedCompany[] = [
  {
    id: "northwind",
    name: "Northwind Traders",
    industry: "Wholesale food distribution",
    country: "GB",
    founded: 1994,
    domain: "northwind.example",
    departments: [
      {
        id: "northwind-logistics",
        name: "Logistics",
        location: "Leeds",
        employees: [
          {
            id: "e1001",
            firstName: "Amelia",
            lastName: "Hughes",
            role: "Head of Logistics",
            startDate: "2015-03-02",
          },
          {
            id: "e1002",
            firstName: "Oliver",
            lastName: "Patel",
            role: "Warehouse Planner",
            startDate: "2019-09-16",
          },
          {
            id: "e1003",
            firstName: "Grace",
            lastName: "Okafor",
            role: "Fleet Coordinator",
            startDate: "2021-01-11",
          },
          {
            id: "e1004",
            firstName: "Harry",
            lastName: "Byrne",
            role: "Route Analyst",
            startDate: "2023-06-05",
          },
        ],
      },
      {
        id: "northwind-sales",
        name: "Sales",
        location: "London",
        employees: [
          {
            id: "e1011",
            firstName: "Isla",
            lastName: "Campbell",
            role: "Sales Director",
            startDate: "2012-11-19",
          },
          {
            id: "e1012",
            firstName: "Jack",
            lastName: "Nowak",
            role: "Account Manager",
            startDate: "2018-04-23",
          },
          {
            id: "e1013",
            firstName: "Sophie",
            lastName: "Reid",
            role: "Account Manager",
            startDate: "2020-02-03",
          },
        ],
      },
      {
        id: "northwind-it",
        name: "IT",
        location: "Leeds",
        employees: [
          {
            id: "e1021",
            firstName: "Mohammed",
            lastName: "Ali",
            role: "Platform Engineer",
            startDate: "2017-07-10",
          },
          {
            id: "e1022",
            firstName: "Emily",
            lastName: "Walsh",
            role: "Site Reliability Engineer",
            startDate: "2022-10-03",
          },
          {
            id: "e1023",
            firstName: "Thomas",
            lastName: "Evans",
            role: "Service Desk Analyst",
            startDate: "2024-01-08",
          },
          {
            id: "e1024",
            firstName: "Freya",
            lastName: "Murray",
            role: "Security Engineer",
            startDate: "2021-05-17",
          },
          {
            id: "e1025",
            firstName: "Leo",
            lastName: "Fraser",
            role: "Engineering Manager",
            startDate: "2016-09-26",
          },
        ],
      },
    ],
  },
  {
    id: "contoso",
    name: "Contoso Pharmaceuticals",
    industry: "Pharmaceuticals",
    country: "US",
    founded: 1987,
    domain: "contoso.example",
    departments: [
      {
        id: "contoso-research",
        name: "Research",
        location: "Boston",
        employees: [
          {
            id: "e2001",
            firstName: "Maria",
            lastName: "Gonzalez",
            role: "Principal Scientist",
            startDate: "2011-08-15",
          },
          {
            id: "e2002",
            firstName: "David",
            lastName: "Kim",
            role: "Research Associate",
            startDate: "2020-06-29",
          },
          {
            id: "e2003",
            firstName: "Aisha",
            lastName: "Johnson",
            role: "Lab Manager",
            startDate: "2016-02-08",
          },
          {
            id: "e2004",
            firstName: "Ethan",
            lastName: "Miller",
            role: "Bioinformatician",
            startDate: "2022-03-21",
          },
          {
            id: "e2005",
            firstName: "Priya",
            lastName: "Raman",
            role: "Clinical Data Scientist",
            startDate: "2023-09-11",
          },
          {
            id: "e2006",
            firstName: "Lucas",
            lastName: "Brown",
            role: "Research Associate",
            startDate: "2024-04-15",
          },
        ],
      },
      {
        id: "contoso-quality",
        name: "Quality Assurance",
        location: "Raleigh",
        employees: [
          {
            id: "e2011",
            firstName: "Hannah",
            lastName: "Davis",
            role: "QA Director",
            startDate: "2009-10-05",
          },
          {
            id: "e2012",
            firstName: "Carlos",
            lastName: "Rivera",
            role: "Validation Specialist",
            startDate: "2019-01-14",
          },
          {
            id: "e2013",
            firstName: "Olivia",
            lastName: "Chen",
            role: "Auditor",
            startDate: "2021-11-22",
          },
        ],
      },
    ],
  },
  {
    id: "fabrikam",
    name: "Fabrikam Robotics",
    industry: "Industrial automation",
    country: "DE",
    founded: 2008,
    domain: "fabrikam.example",
    departments: [
      {
        id: "fabrikam-engineering",
        name: "Engineering",
        location: "Munich",
        employees: [
          {
            id: "e3001",
            firstName: "Lena",
            lastName: "Schmidt",
            role: "Head of Engineering",
            startDate: "2010-04-01",
          },
          {
            id: "e3002",
            firstName: "Jonas",
            lastName: "Weber",
            role: "Firmware Engineer",
            startDate: "2018-08-20",
          },
          {
            id: "e3003",
            firstName: "Mia",
            lastName: "Becker",
            role: "Controls Engineer",
            startDate: "2020-10-12",
          },
          {
            id: "e3004",
            firstName: "Felix",
            lastName: "Hoffmann",
            role: "Test Engineer",
            startDate: "2023-02-27",
          },
        ],
      },
      {
        id: "fabrikam-operations",
        name: "Operations",
        location: "Stuttgart",
        employees: [
          {
            id: "e3011",
            firstName: "Sofia",
            lastName: "Wagner",
            role: "Operations Manager",
            startDate: "2014-05-19",
          },
          {
            id: "e3012",
            firstName: "Paul",
            lastName: "Schulz",
            role: "Production Planner",
            startDate: "2019-03-04",
          },
          {
            id: "e3013",
            firstName: "Emma",
            lastName: "Koch",
            role: "Supply Chain Analyst",
            startDate: "2022-07-18",
          },
        ],
      },
      {
        id: "fabrikam-people",
        name: "People",
        location: "Munich",
        employees: [
          {
            id: "e3021",
            firstName: "Noah",
            lastName: "Richter",
            role: "HR Business Partner",
            startDate: "2017-01-09",
          },
          {
            id: "e3022",
            firstName: "Clara",
            lastName: "Klein",
            role: "Recruiter",
            startDate: "2021-09-06",
          },
          {
            id: "e3023",
            firstName: "Ben",
            lastName: "Wolf",
            role: "Payroll Specialist",
            startDate: "2024-06-03",
          },
        ],
      },
      {
        id: "fabrikam-finance",
        name: "Finance",
        location: "Stuttgart",
        employees: [
          {
            id: "e3031",
            firstName: "Anna",
            lastName: "Neumann",
            role: "CFO",
            startDate: "2012-02-13",
          },
          {
            id: "e3032",
            firstName: "Max",
            lastName: "Schwarz",
            role: "Controller",
            startDate: "2018-11-26",
          },
          {
            id: "e3033",
            firstName: "Laura",
            lastName: "Zimmermann",
            role: "Accountant",
            startDate: "2023-08-14",
          },
        ],
      },
    ],
  },
];

export const companies: Company[] = seed.map(({ id, name, industry, country, founded }) => ({
  id,
  name,
  industry,
  country,
  founded,
}));

export const departments: Department[] = seed.flatMap((company) =>
  company.departments.map(({ id, name, location }) => ({
    id,
    companyId: company.id,
    name,
    location,
  })),
);

export const employees: Employee[] = seed.flatMap((company) =>
  company.departments.flatMap((department) =>
    department.employees.map((person) => ({
      ...person,
      companyId: company.id,
      departmentId: department.id,
      email: `${person.firstName}.${person.lastName}@${company.domain}`.toLowerCase(),
    })),
  ),
);
