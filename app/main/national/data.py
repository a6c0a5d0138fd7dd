"""Reference tables for the national-scale demo data: states, ICE field offices, names.

Fictional agencies and people, realistic in shape: states weighted roughly as
287(g) agreements were spread in 2025 (Florida and Texas first), each state in
its ICE Enforcement and Removal Operations field office's area.
"""
from __future__ import annotations

# state: (relative weight, [field offices whose area covers it])
STATES: dict[str, tuple[float, list[str]]] = {
    "FL": (26, ["Miami"]),
    "TX": (16, ["Dallas", "Houston", "San Antonio", "El Paso", "Harlingen"]),
    "GA": (5, ["Atlanta"]), "NC": (4, ["Atlanta"]), "SC": (4, ["Atlanta"]),
    "TN": (4, ["New Orleans"]), "AL": (4, ["New Orleans"]), "LA": (4, ["New Orleans"]),
    "OK": (4, ["Dallas"]), "AZ": (3, ["Phoenix"]), "MO": (3, ["Chicago"]),
    "AR": (3, ["New Orleans"]), "MS": (3, ["New Orleans"]), "VA": (3, ["Washington"]),
    "ID": (2, ["Salt Lake City"]), "IN": (2, ["Chicago"]), "KY": (2, ["Chicago"]),
    "OH": (2, ["Detroit"]), "PA": (2, ["Philadelphia"]), "UT": (2, ["Salt Lake City"]),
    "WV": (1.5, ["Philadelphia"]), "MT": (1, ["Salt Lake City"]), "WY": (1, ["Denver"]),
    "NE": (1, ["St. Paul"]), "NH": (1, ["Boston"]), "IA": (1, ["St. Paul"]),
    "KS": (1, ["Chicago"]), "ND": (1, ["St. Paul"]), "SD": (1, ["St. Paul"]),
    "NV": (1, ["Salt Lake City"]), "WI": (1, ["Chicago"]), "MI": (0.8, ["Detroit"]),
    "NY": (0.8, ["New York City", "Buffalo"]), "ME": (0.5, ["Boston"]),
    "MA": (0.5, ["Boston"]), "NM": (0.5, ["El Paso"]), "MD": (0.8, ["Baltimore"]),
    "NJ": (0.5, ["Newark"]), "AK": (0.3, ["Seattle"]), "DE": (0.3, ["Philadelphia"]),
}

STATE_NAMES = {
    "FL": "Florida", "TX": "Texas", "GA": "Georgia", "NC": "North Carolina", "SC": "South Carolina",
    "TN": "Tennessee", "AL": "Alabama", "LA": "Louisiana", "OK": "Oklahoma", "AZ": "Arizona",
    "MO": "Missouri", "AR": "Arkansas", "MS": "Mississippi", "VA": "Virginia", "ID": "Idaho",
    "IN": "Indiana", "KY": "Kentucky", "OH": "Ohio", "PA": "Pennsylvania", "UT": "Utah",
    "WV": "West Virginia", "MT": "Montana", "WY": "Wyoming", "NE": "Nebraska", "NH": "New Hampshire",
    "IA": "Iowa", "KS": "Kansas", "ND": "North Dakota", "SD": "South Dakota", "NV": "Nevada",
    "WI": "Wisconsin", "MI": "Michigan", "NY": "New York", "ME": "Maine", "MA": "Massachusetts",
    "NM": "New Mexico", "MD": "Maryland", "NJ": "New Jersey", "AK": "Alaska", "DE": "Delaware",
}

# Place names for counties and towns (common across the country, none a specific real agency).
PLACES = """
Adams Alder Allen Anderson Ashby Baker Baldwin Banks Barton Bay Bell Benton Berry Blount Boone
Bradley Brookfield Brown Bryant Butler Caldwell Calhoun Campbell Carroll Carter Cass Cedar
Chester Clark Clay Clayton Clinton Coffee Columbia Cooper Crawford Crockett Cumberland Dale
Dallas Dawson Decatur Dixon Dodge Douglas Drew Dunn Eaton Edgewater Elk Elm Emerson Evans
Fairfield Fairview Fayette Fleming Floyd Forest Franklin Fulton Gaines Garland Georgetown Gibson
Glenwood Grady Grant Greene Greenwood Hale Hall Hamilton Hancock Hardin Harlan Harrison Hart
Hayes Henry Hickory Highland Hill Holmes Hopkins Houston Howard Hunt Irwin Jackson Jasper
Jefferson Johnson Jones Kane Kent Kerr Kimball Knox Lafayette Lake Lamar Lawrence Lee Leon
Lewis Liberty Lincoln Linden Livingston Logan Lowell Lyon Macon Madison Marion Marshall Mason
Maple McLean Meadow Mercer Miller Mitchell Monroe Montgomery Morgan Morris Nash Newton Noble
Oakdale Oakland Ocean Oliver Orange Osage Owen Palmer Parker Perry Pierce Pike Pine Polk
Porter Preston Pulaski Putnam Quincy Rains Randolph Reed Richland Ridge River Riverside Robertson
Rock Rockwell Rusk Russell Sabine Salem Scott Sevier Shelby Sherman Smith Spring Stafford Stark
Stephens Stone Sullivan Summit Sumter Sutton Taylor Terrell Thomas Tipton Todd Travis Troup
Tyler Union Upton Valley Van_Buren Walker Walton Ward Warren Washington Wayne Webster Wells
Wheeler White Willow Wilson Winston Wise Wood Worth Yates York
""".split()
PLACES = [p.replace("_", " ") for p in PLACES]

# (template, kind): county sheriffs hold most agreements, then city police and county jails.
AGENCY_KINDS = [
    ("{place} County Sheriff's Office", 0.62),
    ("{place} Police Department", 0.26),
    ("{place} County Department of Corrections", 0.07),
    ("{place} County Jail", 0.05),
]
STATE_AGENCIES = ["{state} Highway Patrol", "{state} Department of Public Safety",
                  "{state} Department of Corrections", "{state} National Guard Support Unit"]

FIRST_NAMES = """
James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard
Susan Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy Matthew Betty
Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle
Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason
Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy Jacob Amy Gary Kathleen Nicholas Angela Eric
Shirley Jonathan Brenda Stephen Emma Larry Anna Justin Pamela Scott Nicole Brandon Samantha
Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet
Raymond Maria Jack Olivia Dennis Heather Jerry Helen Tyler Catherine Aaron Diane Jose Julie Adam
Victoria Nathan Joyce Henry Lauren Zachary Kelly Douglas Christina Peter Ruth Kyle Joan Noah
Virginia Ethan Judith Jeremy Evelyn Christian Hannah Walter Andrea Keith Megan Austin Cheryl
Roger Jacqueline Terry Madison Sean Teresa Gerald Abigail Carl Sophia Dylan Martha Harold Sara
Jordan Gloria Jesse Janice Bryan Kathryn Lawrence Ann Arthur Isabella Gabriel Judy Bruce Charlotte
Logan Julia Billy Grace Joe Amber Alan Alice Juan Jean Elijah Denise Willie Frances Albert
Danielle Wayne Marilyn Randy Natalie Mason Beverly Vincent Diana Liam Brittany Roy Theresa Bobby
Kayla Caleb Alexis Bradley Doris Russell Lori Lucas Tiffany Carlos Luis Miguel Ana Rosa Jorge
Alejandro Sofia Diego Camila Mateo Lucia Andre Keisha Darnell Tamika Marcus Jasmine Wei Mei
Hiroshi Yuki Minh Linh Arjun Priya Omar Fatima Tariq Leila Dmitri Elena Kwame Ama Tomas Ines
""".split()

LAST_NAMES = """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker
Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper
Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James
Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster
Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher
Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno
West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall
Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb
Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason
Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren
Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne
Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight
Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry
Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval Okafor
Nakamura Yamamoto Pham Hoang Singh Shah Ali Khan Haddad Novak Kowalski Ivanova Mensah Osei Abara
""".split()

TERMINATION_REASONS = [
    "The agency withdrew from the program after a change of sheriff.",
    "The county commission did not renew the agreement.",
    "ICE ended the agreement after a compliance review found unmet supervision requirements.",
    "The agency closed its jail and transferred detainees to a regional facility.",
    "The agreement was replaced by a newer memorandum of agreement under another model.",
]

WITHDRAWAL_REASONS = {
    "left": "The officer left the agency; credentials were returned to the field office.",
    "review": "Withdrawn by the field office director after a supervisory review of the officer's use of authority.",
}

REVOCATION_REASONS = [
    "Issued in error to the wrong officer when the earlier system merged two records.",
    "The officer's completion was annulled after an examination irregularity was confirmed.",
]
